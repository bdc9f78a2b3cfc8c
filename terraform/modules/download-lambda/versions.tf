terraform {
  # terraform_data needs 1.4; this module uses no provider at all.
  required_version = "~> 1.11.0"
}
