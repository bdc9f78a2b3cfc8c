webhook_secret = "0123456789abcdef0123456789abcdef0123"
# 2 GitHub Apps: the first (github_app) and 1 more
github_apps = [
  { id_parameter = "/jit/app-2/id", key_parameter = "/jit/app-2/key" },
]
