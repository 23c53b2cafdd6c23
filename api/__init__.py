"""leernet's HTTP face: SPARQL protocol, REST API, linked-data pages and the explorer."""
