"""Supply pages: suppliers, warehouses and stock, purchase orders and their builder."""
