"""One widget per pane. Data is pushed in (`snapshot`, `now`); panes never call backends."""
