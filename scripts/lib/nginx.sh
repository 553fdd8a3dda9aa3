# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash
# scripts/lib/nginx.sh - configuration of a kernel nginx (nginx-light) as
# axip's peer or yardstick. Sourced (bash) by test/net/lib.sh (so by the
# network tests and bench/ablation.sh), scripts/demo.sh and bench/run.sh.
#
#   nginx_conf DIR CONNECTIONS      write DIR/nginx.conf; the lines inside
#                                   http { } come from stdin
#   nginx_files_conf DIR LISTEN ROOT CONNECTIONS
#                                   the same for static files under ROOT
#                                   served on LISTEN (ADDRESS:PORT)
#
# The configuration is for one worker in the foreground (daemon off), with
# its PID file, error log and temporary files under DIR and no access log.
# Start it as `nginx -e DIR/error.log -c DIR/nginx.conf -p DIR` (-e: even the
# messages before the configuration is read go to DIR, not /var/log/nginx).
# The worker runs as an unprivileged user: DIR and what it serves must be
# readable (and the directories above them searchable) by others. The caller
# owns DIR and removes it.

# nginx_conf DIR CONNECTIONS: DIR/nginx.conf with worker_connections
# CONNECTIONS; stdin holds the rest of the http { } block (server blocks and
# any other http-level directives).
nginx_conf() {
	local d=$1
	{
		cat <<EOF
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections $2; }
http {
    access_log off;
    client_body_temp_path $d/body;
EOF
		cat
		echo "}"
	} >"$d/nginx.conf"
}

# nginx_files_conf DIR LISTEN ROOT CONNECTIONS: DIR/nginx.conf serving the
# files under ROOT on LISTEN with sendfile, as application/octet-stream
# unless nginx knows the file's type.
nginx_files_conf() {
	nginx_conf "$1" "$4" <<EOF
    default_type application/octet-stream;
    sendfile on;
    server {
        listen $2;
        root $3;
    }
EOF
}
