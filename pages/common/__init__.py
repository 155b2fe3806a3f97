"""Code every page shares: routes, session state and URL, the sidebar, the chat glue."""
