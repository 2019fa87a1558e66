// Small DOM helpers turning pixel buffers into canvases (for Konva.Image) and data URLs.
import type { GreyImage } from '../../workers/engine-api';
import { greyToRgba } from '../core/display/contrast';

export function rgbaCanvas(rgba: Uint8ClampedArray, width: number, height: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (ctx) ctx.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
  return canvas;
}

const IDENTITY = Uint8ClampedArray.from({ length: 256 }, (_, i) => i);

export function greyCanvas(img: GreyImage, lut: Uint8ClampedArray = IDENTITY): HTMLCanvasElement {
  return rgbaCanvas(greyToRgba(img.data, lut), img.width, img.height);
}

const thumbCache = new WeakMap<GreyImage, string>();

export function thumbnailUrl(img: GreyImage): string {
  let url = thumbCache.get(img);
  if (!url) {
    url = greyCanvas(img).toDataURL('image/png');
    thumbCache.set(img, url);
  }
  return url;
}
