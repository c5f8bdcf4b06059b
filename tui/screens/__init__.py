"""One screen per operator step; each module's styles sit beside it in a .tcss file."""
