/**
 * The few DOM types the pack verifier uses: the project compiles with lib ES2022 alone (a DOM
 * lib would change timer types for the whole service), so they are declared here.
 */
export interface PageText {
  readonly nodeValue: string | null;
}

export interface PickedFile {
  readonly name: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface PageEvent {
  preventDefault(): void;
  readonly dataTransfer?: { readonly files: ArrayLike<PickedFile> } | null;
}

export interface PageElement {
  hidden: boolean;
  className: string;
  textContent: string | null;
  readonly dataset: Record<string, string | undefined>;
  readonly classList: { add(name: string): void; remove(name: string): void };
  readonly files?: ArrayLike<PickedFile> | null;
  setAttribute(name: string, value: string): void;
  append(...nodes: (PageElement | PageText)[]): void;
  replaceChildren(): void;
  addEventListener(type: string, listener: (event: PageEvent) => void): void;
}

export interface PageDocument {
  readonly readyState: string;
  getElementById(id: string): PageElement | null;
  createElement(tag: string): PageElement;
  createTextNode(text: string): PageText;
  addEventListener(type: string, listener: () => void): void;
}

export function pageDocument(): PageDocument {
  return (globalThis as unknown as { document: PageDocument }).document;
}
