"""The reviewers' web page over the store: queue, document view, review actions, sign-in."""
