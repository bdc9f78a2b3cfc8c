webhook_secret = "0123456789abcdef0123456789abcdef0123"
boot           = "prebuilt"
os             = "windows"
# a placeholder id: the simulator reads the boot path, not the image
ami_id = "ami-12c6146b"
