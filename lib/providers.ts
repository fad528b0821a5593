// Provider presets: what the form fills in, and the caveat the customer must know (messages/<locale>/providers.json).
export type ProviderPreset = { id: string; host: string; port: number; encryption: 'none' | 'starttls' | 'tls'; authMethod: 'auto' | 'login' | 'plain' };

export const PROVIDER_PRESETS: ProviderPreset[] = [
  { id: 'm365', host: 'smtp.office365.com', port: 587, encryption: 'starttls', authMethod: 'login' },
  { id: 'google', host: 'smtp.gmail.com', port: 587, encryption: 'starttls', authMethod: 'auto' },
  { id: 'ses', host: 'email-smtp.us-east-1.amazonaws.com', port: 587, encryption: 'starttls', authMethod: 'auto' },
  { id: 'sendgrid', host: 'smtp.sendgrid.net', port: 587, encryption: 'starttls', authMethod: 'auto' },
  { id: 'mailgun', host: 'smtp.mailgun.org', port: 587, encryption: 'starttls', authMethod: 'auto' },
];
