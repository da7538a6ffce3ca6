using FastArena.Server;

// Loopback only: the URL defaults to http://127.0.0.1:5080 (override with --urls http://127.0.0.1:PORT).
OrdersApp.Create(args).Run();
