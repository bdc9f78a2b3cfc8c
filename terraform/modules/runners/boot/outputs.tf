output "user_data" {
  description = "The rendered user_data (plain text; the launch template base64-encodes it), or null when user_data is off."
  value       = local.rendered

  precondition {
    condition     = local.bytes <= 16384
    error_message = "The user_data of pool ${var.pool} is ${local.bytes} bytes, above EC2's 16384-byte limit: shorten its pre/post-install or hook scripts, or bake them into a prebuilt image (docs/images.md)."
  }
  # The built-in Windows install path installs Git for Windows at every boot: it needs the installer.
  precondition {
    condition     = !(local.windows && var.boot == "install" && var.user_data_enabled && var.user_data_template == null && var.git_for_windows == null)
    error_message = "Pool ${var.pool} is a Windows install pool without git_for_windows: set git_for_windows = { url, sha256 } (a Git for Windows 64-bit installer and its SHA-256), or use boot = \"prebuilt\" with an image from images/ (docs/images.md)."
  }
}

output "bytes" {
  description = "Size of the rendered user_data in bytes (0 when off)."
  value       = local.bytes
}
