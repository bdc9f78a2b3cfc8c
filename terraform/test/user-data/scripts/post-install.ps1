# Example post-install script (Windows): runs after the runner is installed, before it starts.
git config --system core.longpaths true
