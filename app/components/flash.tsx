'use client';
// One place on every page where the result of a change is announced (role=status). A button whose row
// disappears with the change (a removed assignment, a role that now matches) still gets its sentence read.
import { createContext, useCallback, useContext, useState } from 'react';
import { usePathname } from 'next/navigation';

const FlashContext = createContext<(text: string) => void>(() => {});

export function FlashProvider({ children }: { children: React.ReactNode }) {
  const pathname = usePathname();
  // Shown on the page where it happened: moving to another page clears it.
  const [flash, setFlash] = useState<{ text: string; on: string } | null>(null);
  const show = useCallback((text: string) => setFlash({ text, on: pathname }), [pathname]);
  const text = flash && flash.on === pathname ? flash.text : null;
  return (
    <FlashContext.Provider value={show}>
      {children}
      <div className="flash-region">
        {text && (
          <p role="status" className="alert success flash">
            {text}
          </p>
        )}
      </div>
    </FlashContext.Provider>
  );
}

export function useFlash(): (text: string) => void {
  return useContext(FlashContext);
}
