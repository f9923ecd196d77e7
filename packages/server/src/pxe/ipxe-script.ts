import type { PxeBootDecision, PxeClientId } from './boot-decision.js';

/**
 * The iPXE script a machine gets from the DP over HTTP. It is per machine (the MAC and UUID are
 * in its URL), so the decision is made when the script is asked for, not when DHCP ran.
 */

export interface BootImageUrls {
  kernel: string;
  initrd: string;
  /** Kernel command line (the boot image's, plus what the DP adds). */
  cmdline: string;
}

/** Characters iPXE would read as syntax (settings expansion, comments, line breaks). */
function safe(text: string): string {
  return text.replace(/[^A-Za-z0-9 ._:/=,@+-]/g, '_');
}

export function ipxeScript(
  client: PxeClientId,
  decision: PxeBootDecision,
  image: BootImageUrls | undefined,
): string {
  const who = safe(client.mac);
  if (decision.action === 'exit' || !image)
    return [
      '#!ipxe',
      `echo Steward: ${safe(decision.reason)} (${who}); booting the next device`,
      // exit hands control back to the firmware, which tries its next boot device (the disk).
      'exit',
      '',
    ].join('\n');
  const boot = [
    `echo Steward: ${safe(decision.reason)} (${who}): ${safe(decision.image)}`,
    // initrd= names the image for the EFI stub (UEFI); a BIOS kernel ignores it.
    `kernel ${image.kernel} initrd=initrd.img ${safe(image.cmdline)}`,
    `initrd --name initrd.img ${image.initrd}`,
    'boot',
  ];
  if (decision.required) return ['#!ipxe', ...boot, ''].join('\n');
  // Available: boot only on a key press (F12), else the next device, as a PXE ROM's menu would.
  return [
    '#!ipxe',
    'prompt --key 0x197e --timeout 10000 Steward: press F12 to start the operating system deployment || goto next',
    ...boot,
    ':next',
    'exit',
    '',
  ].join('\n');
}

/**
 * An available deployment with a PXE password (ADR 0076): after F12 the machine reads the
 * password at the console and asks for its script again with it; the DP checks it against the
 * deployment's hash and answers the boot script, or "next device" when it is wrong. The
 * password never appears in a script, so fetching scripts reveals nothing.
 */
export function ipxePasswordScript(
  client: PxeClientId,
  reason: string,
  /** The machine's script URL; `&password=` and the typed password are appended. */
  scriptUrl: string,
): string {
  return [
    '#!ipxe',
    `prompt --key 0x197e --timeout 10000 Steward: ${safe(reason)} (${safe(client.mac)}): press F12 to start || goto next`,
    'echo -n Steward: PXE password: ',
    'read stwpw',
    `chain ${scriptUrl}&password=\${stwpw:uristring} || goto next`,
    ':next',
    'exit',
    '',
  ].join('\n');
}
