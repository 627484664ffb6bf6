"use client";

import { useEffect, useRef, useState } from "react";

/**
 * Focus for content that replaced what the person was using (the button they pressed is gone):
 * the new content's heading takes it, so keyboards and screen readers carry on from there. Only
 * when `when` held at mount: a page load must not move focus.
 */
export function useFocusOnMount<T extends HTMLElement>(when: boolean) {
  const ref = useRef<T>(null);
  const [atMount] = useState(when);
  useEffect(() => {
    if (atMount) ref.current?.focus();
  }, [atMount]);
  return ref;
}
