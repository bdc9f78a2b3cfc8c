<powershell>
# Packer's build instance only: a WinRM HTTPS listener with a self-signed certificate for the provisioners.
# Instances launched from the finished image never run this (they get the pool's user_data).
Set-ExecutionPolicy -ExecutionPolicy Bypass -Scope LocalMachine -Force
$cert = New-SelfSignedCertificate -CertStoreLocation 'Cert:\LocalMachine\My' -DnsName 'packer'
Get-ChildItem -Path WSMan:\localhost\Listener | Where-Object { $_.Keys -contains 'Transport=HTTPS' } | Remove-Item -Recurse -Force
New-Item -Path WSMan:\localhost\Listener -Transport HTTPS -Address * -CertificateThumbPrint $cert.Thumbprint -Force | Out-Null
Set-Item -Path WSMan:\localhost\Service\Auth\Basic -Value $true
New-NetFirewallRule -DisplayName 'WinRM HTTPS (Packer)' -Direction Inbound -Protocol TCP -LocalPort 5986 -Action Allow | Out-Null
Restart-Service -Name WinRM
</powershell>
