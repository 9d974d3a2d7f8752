"""Files the seller downloads: shipment plans as CSV, XLSX and Amazon's Send-to-Amazon upload."""
