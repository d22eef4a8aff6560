// The canvas a view created, looked up once its section is in the document (the views draw after
// layout, so that the canvases know their size).

export function canvasById(id: string): HTMLCanvasElement {
  const el = document.getElementById(id);
  if (!(el instanceof HTMLCanvasElement)) throw new Error(`no canvas #${id}`);
  return el;
}
