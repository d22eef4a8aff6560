// A card of the run page and how to draw its canvases once it is in the document (after layout,
// so the canvases know their size).

export interface DrawnCard {
  card: HTMLElement;
  draw(): void;
}
