"""The public face of Kaskad: the landing page, the hub directory and its map, a hub's page and
calendar, and the hubs as open data. Nothing here needs an account, and nothing here shows a person."""
