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

/** Which password a script asks: the deployment's (ADR 0076) or the DP's own. */
export interface PasswordAsk {
  /** The iPXE setting the typed password is read into (kept for later scripts of this boot). */
  variable: 'stwpw' | 'stwdppw';
  label: string;
  /** Ask for F12 first (an available deployment not yet chosen at the console). */
  pressKey: boolean;
  /** Settings typed earlier in this boot, carried again (`&dppassword=${stwdppw:uristring}`). */
  carry: readonly PasswordAsk['variable'][];
}

/** The script URL's query parameter that carries each setting back to the DP. */
export const PASSWORD_PARAM: Record<PasswordAsk['variable'], string> = {
  stwpw: 'password',
  stwdppw: 'dppassword',
};

export const DEPLOYMENT_PASSWORD: PasswordAsk = {
  variable: 'stwpw',
  label: 'PXE password',
  pressKey: true,
  carry: [],
};

export const DP_PASSWORD: PasswordAsk = {
  variable: 'stwdppw',
  label: 'PXE password of this network',
  pressKey: false,
  carry: [],
};

/**
 * A PXE password asked at the console (ADR 0076; the DP-wide one first, then an available
 * deployment's): after F12 when the deployment is available, the machine reads the password and
 * asks for its script again with it; the DP checks it against the hash it holds and answers the
 * next script, or "next device" when it is wrong. Passwords live only in iPXE settings and the
 * query of the script request: they never appear in a script, so fetching scripts reveals
 * nothing.
 */
export function ipxePasswordScript(
  client: PxeClientId,
  reason: string,
  /** The machine's script URL; the typed password's parameter is appended. */
  scriptUrl: string,
  ask: PasswordAsk = DEPLOYMENT_PASSWORD,
): string {
  const query = [...ask.carry, ask.variable]
    .map((v) => `&${PASSWORD_PARAM[v]}=\${${v}:uristring}`)
    .join('');
  const where = `${safe(reason)} (${safe(client.mac)})`;
  return [
    '#!ipxe',
    ask.pressKey
      ? `prompt --key 0x197e --timeout 10000 Steward: ${where}: press F12 to start || goto next`
      : `echo Steward: ${where}`,
    `echo -n Steward: ${safe(ask.label)}: `,
    `read ${ask.variable}`,
    `chain ${scriptUrl}${query} || goto next`,
    ':next',
    'exit',
    '',
  ].join('\n');
}
