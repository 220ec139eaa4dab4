"""Cases' HTTP routers, one module per area; `main.py` includes them."""
