#!/usr/bin/env python3
"""Writes a sample orders document to stdout: orders.py ORDERS [SEED]. Deterministic for a seed."""
import json, random, sys

count = int(sys.argv[1]) if len(sys.argv) > 1 else 50
rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 7)
customers = [f"customer-{i:03d}" for i in range(20)] + ["Zoë \"quoted\"", "line\nbreak"]
orders = []
for i in range(count):
    items = [{"sku": f"SKU-{rng.randrange(1000):04d}", "qty": rng.randrange(1, 10),
              "price": round(rng.uniform(0.5, 200.0), 2)} for _ in range(rng.randrange(1, 6))]
    orders.append({"id": 1000 + i, "customer": rng.choice(customers), "items": items, "note": "ignored"})
json.dump({"orders": orders, "meta": {"source": "orders.py"}}, sys.stdout, separators=(",", ":"))
