"""The web side: one Starlette app for every route, served by granian inside this process."""
