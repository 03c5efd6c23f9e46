#!/bin/sh
# Runs bench/gpu-check on a lent GPU machine that has no Node and no package registry.
# Prepare here with `node bench/gpu-bundle.mjs` (writes .device/: the bundled script, the Dawn
# addon, the PyTorch peers, an xz'd Node binary and the Vulkan loader debs), then on the device,
# from the repository root with .device carried:  sh bench/gpu-run.sh
# The report lands in $OUT/gpu-check.md (and on stdout).
set -e
D=${DEVICE_DIR:-.device}
for f in "$D"/debs/*.deb; do [ -e "$f" ] && dpkg -x "$f" /; done
ldconfig
xz -dc "$D/node.xz" > /tmp/node && chmod +x /tmp/node
export VK_DRIVER_FILES="${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}"
export PSILON_PYTHON="${PSILON_PYTHON:-$(command -v python3)}"
cd "$D/app" && exec /tmp/node gpu-check.mjs
