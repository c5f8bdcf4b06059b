"""nianbao's tests. A package, so that `tests.helpers` and the other shared modules are these ones
even where some installed distribution brings a top-level `tests` package of its own."""
