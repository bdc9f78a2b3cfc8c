# simulator/examples/scale with three subnets and the spot breaker as deployed by default
webhook_secret = "0123456789abcdef0123456789abcdef0123"
subnet_ids     = ["subnet-a", "subnet-b", "subnet-c"]
