module github.com/netconform/netconform/build/metallb

go 1.26.0

require go.universe.tf/metallb v0.16.1
