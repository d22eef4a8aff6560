// The canvas a view created, looked up once its section is in the document (the views draw after
// layout, so that the canvases know their size).

export function canvasById(id: string): HTMLCanvasElement {
  const el = document.getElementById(id);
  if (!(el instanceof HTMLCanvasElement)) throw new Error(`no canvas #${id}`);
  return el;
}

/** Sizes the canvas for the screen's pixel ratio and returns its context drawing in CSS pixels (cssW x cssH). */
export function hiDpiContext(canvas: HTMLCanvasElement, cssW: number, cssH: number): CanvasRenderingContext2D {
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(cssW * dpr);
  canvas.height = Math.round(cssH * dpr);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2-D canvas context');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}
