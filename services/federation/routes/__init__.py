"""Federation's HTTP routers, one module per programme."""
