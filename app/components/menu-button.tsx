'use client';
// On a phone the header's navigation folds behind this button; it opens and closes the menu and closes
// it again when a link is followed.
import { useEffect, useState } from 'react';
import { usePathname } from 'next/navigation';

export function MenuButton({ label, controls }: { label: string; controls: string }) {
  const pathname = usePathname();
  // Open for the page it was opened on: following a link closes it.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  useEffect(() => {
    document.getElementById(controls)?.toggleAttribute('data-open', open);
  }, [open, controls]);
  return (
    <button type="button" className="button subtle menu-button" aria-expanded={open} aria-controls={controls} onClick={() => setOpenOn(open ? null : pathname)}>
      <span aria-hidden="true" className="menu-icon">
        ☰
      </span>{' '}
      {label}
    </button>
  );
}
