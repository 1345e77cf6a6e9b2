module github.com/netconform/netconform/build/haproxy-ingress

go 1.24

require github.com/jcmoraisjr/haproxy-ingress v0.14.7 // indirect
