#!/bin/sh
# /usr/bin/@NAME@: run Kord Desktop's bundled executable from /opt/kord-desktop.
exec /opt/kord-desktop/@NAME@ "$@"
