webhook_secret = "0123456789abcdef0123456789abcdef0123"
# 4 GitHub Apps: the first (github_app) and 3 more
github_apps = [
  { id_parameter = "/jit/app-2/id", key_parameter = "/jit/app-2/key" },
  { id_parameter = "/jit/app-3/id", key_parameter = "/jit/app-3/key" },
  { id_parameter = "/jit/app-4/id", key_parameter = "/jit/app-4/key" },
]
