output "webhook_zip" {
  description = "Path of the downloaded webhook jar."
  value       = "${var.directory}/spotrunner-webhook.jar"
}

output "runners_zip" {
  description = "Path of the downloaded runners jar (scale-up and scale-down)."
  value       = "${var.directory}/spotrunner-runners.jar"
}

output "binary_syncer_zip" {
  description = "Path of the downloaded binary-syncer jar."
  value       = "${var.directory}/spotrunner-binary-syncer.jar"
}

output "release_version" {
  description = "The downloaded release; depend on this output to order the download before use."
  value       = terraform_data.download.output
}
