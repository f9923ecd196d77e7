#!/bin/sh
# /init of a Steward boot image (ADR 0065): the whole Debian root is the initramfs, so there is
# no root to switch to. Mounts the kernel file systems, lets udev load the modules the hardware
# asks for, brings every ethernet link up with DHCP, then runs the boot environment
# (`steward-agent boot-env`: identify, register with the site, ask for a task sequence). When it
# ends the machine powers off, or reboots when its task sequence restarts the computer (exit code
# 75, the agent's RESTARTING_EXIT_CODE: packages/agent/src/commands/task-sequence-command.ts).
# The kernel command line may carry steward.site=<url> (overrides the image's site URL) and
# steward.debug=1 (a shell on the console instead of powering off).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /run /tmp
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
[ -d /sys/firmware/efi/efivars ] && mount -t efivarfs efivarfs /sys/firmware/efi/efivars
hostname steward-boot
echo "steward-boot: starting udev"
/lib/systemd/systemd-udevd --daemon --resolve-names=never
udevadm trigger --type=subsystems --action=add
udevadm trigger --type=devices --action=add
udevadm settle --timeout=120
ip link set lo up
links=$(ls /sys/class/net | grep -E '^(en|eth)')
for link in $links; do ip link set "$link" up; done
echo "steward-boot: DHCP on $links"
mkdir -p /var/lib/dhcp
# shellcheck disable=SC2086
dhclient -1 -4 $links || echo "steward-boot: DHCP gave no lease"
echo "steward-boot: network $(ip -4 -o addr show scope global | awk '{print $2, $4}' | tr '\n' ' ')"
# The agent kit the site packed in (its production agent version), for the install-agent step.
kit=""
[ -f /usr/lib/steward/agent-kit/install-agent.sh ] && kit="--agent-kit /usr/lib/steward/agent-kit"
# A restart step only ends the boot environment (the reboot command does nothing): this script
# reboots once it has exited, its status messages are sent and the new system is unmounted.
# shellcheck disable=SC2086
steward-agent boot-env --config /etc/steward/boot.json --reboot-command true $kit
code=$?
echo "steward-boot: boot environment exited $code"
if grep -q 'steward.debug=1' /proc/cmdline; then exec /bin/sh; fi
restarting=75
umount -R /mnt/target 2>/dev/null
sync
if [ "$code" = "$restarting" ]; then echo b > /proc/sysrq-trigger; fi
echo o > /proc/sysrq-trigger
sleep 30
