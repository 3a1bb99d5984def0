"""Qt widgets and models. Talks to services/, never builds SQL."""
