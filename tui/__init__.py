"""The Textual UI and the `watchfloor` command. Imports contracts and models, never an adapter."""
