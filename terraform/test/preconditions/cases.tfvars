# The cases terraform/test/run.sh plans in one run and the message each must draw (run.sh asserts them).
cases = {
  # extra Apps outside the config path, an ephemeral repo-level pool: no refusal, no warning
  baseline = {
    prefix      = "base"
    github_apps = [{ id_parameter = "/base-app2/id", key_parameter = "/base-app2/key", webhook_secret_parameter = "/base-app2/webhook-secret" }]
  }
  # the runners' path is the whole prefix: the App parameters and the module's own paths under it
  config-path-is-prefix = { prefix = "cfg", ssm_config_path = "/cfg" }
  # a pool whose path would be /<prefix>/github-app/ under ssm_config_path = "/<prefix>"
  pool-github-app = { prefix = "pool", pools = [{ name = "github-app" }] }
  # an extra App's id, key or webhook secret parameter under the config path
  app-id = {
    prefix          = "appid"
    ssm_config_path = "/appid/runners"
    github_apps     = [{ id_parameter = "/appid/runners/app2/id", key_parameter = "/appid-app2/key" }]
  }
  app-key = {
    prefix          = "appkey"
    ssm_config_path = "/appkey/runners"
    github_apps     = [{ id_parameter = "/appkey-app2/id", key_parameter = "/appkey/runners/app2/key" }]
  }
  app-webhook-secret = {
    prefix          = "appws"
    ssm_config_path = "/appws/runners"
    github_apps = [
      { id_parameter = "/appws-app2/id", key_parameter = "/appws-app2/key" },
      { id_parameter = "/appws-app3/id", key_parameter = "/appws-app3/key", webhook_secret_parameter = "/appws/runners/app3/webhook-secret" },
    ]
  }
  # a persistent org-level Linux pool: planned, with the docker warning
  persistent-org-pool = { prefix = "org", pools = [{ name = "org-pool", ephemeral = false, runner_level = "org" }] }
}
