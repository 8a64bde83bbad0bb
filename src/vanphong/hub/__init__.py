"""The exchange hub (trục liên thông): store-and-forward of opaque edXML packages between the nodes
of agencies that are not directly connected, on the operations of the national hub's client API."""
