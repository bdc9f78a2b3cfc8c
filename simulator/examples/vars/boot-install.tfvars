webhook_secret = "0123456789abcdef0123456789abcdef0123"
boot           = "install"
