# the same with the jit pool's spot breaker off (breaker_threshold 0); re-runs stay on
webhook_secret     = "0123456789abcdef0123456789abcdef0123"
subnet_ids         = ["subnet-a", "subnet-b", "subnet-c"]
spot_interruptions = { pools = { jit = { breaker_threshold = 0 } } }
