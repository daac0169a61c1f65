# The quickstart's "edge server": Debian's nginx and OpenSSH in one container, so that
# `nginx -t` and `nginx -s reload` run over SSH on the machine that serves TLS, as on a real
# edge host. Host key and authorized key come from Secrets (hack/kind-quickstart.sh).
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx openssh-server openssl \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /run/sshd /etc/nginx/tls \
 && openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=placeholder \
      -keyout /etc/nginx/tls/shop.key -out /etc/nginx/tls/shop.crt \
 && rm -f /etc/nginx/sites-enabled/default /etc/ssh/ssh_host_*
COPY <<'CONF' /etc/nginx/conf.d/shop.conf
server {
  listen 443 ssl;
  server_name shop.example.com;
  ssl_certificate /etc/nginx/tls/shop.crt;
  ssl_certificate_key /etc/nginx/tls/shop.key;
  return 200 "shop\n";
}
CONF
COPY <<'CONF' /etc/ssh/sshd_config.d/quickstart.conf
HostKey /etc/ssh/keys/ssh_host_ed25519_key
AuthorizedKeysFile /etc/ssh/keys/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
StrictModes no
CONF
EXPOSE 22 443
CMD ["/bin/sh", "-c", "/usr/sbin/sshd -e && exec nginx -g 'daemon off;'"]
