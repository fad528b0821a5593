import 'server-only';
import { X509Certificate } from 'node:crypto';

// When an OAuth credential stops working, where that can be known ahead: a certificate carries its end
// date (notAfter). A Microsoft client secret's end date lives only in Entra (the secret itself is an
// opaque string), so it is known only when the token endpoint says AADSTS7000222 (decision 025).

/** The certificate's notAfter, or null when the text is not a PEM certificate. */
export function certificateExpiry(pem: string): Date | null {
  try {
    const end = new Date(new X509Certificate(pem).validTo);
    return Number.isNaN(end.getTime()) ? null : end;
  } catch {
    return null;
  }
}
