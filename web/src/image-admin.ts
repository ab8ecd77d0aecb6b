import { imageLimits, type Product, type ProductImage } from '@shop/api-client';
import { type ApiAnswer, ApiProblem, answerOf, publicApi, sendUploadForm, staffApi } from './api-client.js';
import { h } from './dom.js';
import { clearFormErrors, field, formAlert, showFormErrors } from './form-errors.js';
import {
  altTextRefusal,
  declaredType,
  imageAccept,
  imageFileRefusal,
  imageTypeNames,
  megabytes,
} from './image-file-check.js';
import type { EditedProduct } from './product-admin.js';
import { heightAt, movedOrder, thumbnailOf } from './product-images.js';

type StaffApi = ReturnType<typeof staffApi>;
type Action = 'alt' | 'earlier' | 'later' | 'remove';
/** A write of the product's images, sent with the If-Match it is given. */
type ImagesWrite = (ifMatch: string | undefined) => Promise<ApiAnswer<Product>>;

/** The control to focus once the list shows the new version: the one used, on the image it moved. */
interface FocusTarget {
  imageId: string;
  action: Action;
}

/** What the list and the upload form may do to the product's images. */
interface ImageWrites {
  /**
   * Runs `write` after any write still under way, with the If-Match of the version shown, and
   * shows the version it makes. When the product changed meanwhile (412) or the image is gone
   * (404), it shows the product as it is now, says so, and resolves false; other failures reject.
   */
  change(write: ImagesWrite, focus?: FocusTarget): Promise<boolean>;
  announce(text: string): void;
  product(): Product;
}

const changedMeanwhile = 'Someone changed this product meanwhile: its images show as they are now. Try again.';

/** A 422 refusing the uploaded file itself, whose upload is deleted: the file must be sent again. */
function refusesFile(error: unknown): boolean {
  return error instanceof ApiProblem && error.fieldErrors.some((fault) => fault.field === 'uploadId');
}

/** A problem whose faults name the alt text, shown next to it. */
function altProblem(message: string): ApiProblem {
  return new ApiProblem(422, 'Alt text', message, [{ field: 'alt', message }]);
}

function imageItem(
  image: ProductImage,
  index: number,
  count: number,
  act: (action: Action, image: ProductImage, altForm: HTMLFormElement, alt: string) => void,
): HTMLElement {
  const thumbnail = thumbnailOf(image);
  const altInput = h('input', { name: 'alt', value: image.alt, autocomplete: 'off' });
  const altForm = h(
    'form',
    { class: 'alt-form', novalidate: true },
    formAlert(),
    field('Alt text', 'alt', altInput),
    h('button', { type: 'submit', 'data-action': 'alt' }, 'Save alt text'),
  );
  altForm.addEventListener('submit', (event) => {
    event.preventDefault();
    act('alt', image, altForm, altInput.value);
  });
  const button = (action: Action, label: string, disabled: boolean, className?: string) =>
    h(
      'button',
      {
        type: 'button',
        'data-action': action,
        class: className,
        disabled,
        onclick: () => act(action, image, altForm, ''),
      },
      label,
    );
  return h(
    'li',
    { class: 'image-item', 'data-image-id': image.id },
    h(
      'fieldset',
      {},
      h('legend', {}, `Image ${index + 1} of ${count}`),
      thumbnail
        ? h('img', {
            class: 'image-thumbnail',
            src: thumbnail.url,
            width: thumbnail.width,
            height: heightAt(image, thumbnail.width),
            alt: image.alt,
            decoding: 'async',
          })
        : null,
      altForm,
      h(
        'div',
        { class: 'image-actions' },
        button('earlier', 'Move earlier', index === 0),
        button('later', 'Move later', index === count - 1),
        button('remove', 'Remove', false, 'danger'),
      ),
    ),
  );
}

/** What one of the list's buttons or alt forms does, through `writes`. */
async function imageAction(
  api: StaffApi,
  writes: ImageWrites,
  request: { action: Action; image: ProductImage; altForm: HTMLFormElement; alt: string },
): Promise<void> {
  const { action, image, altForm, alt } = request;
  const path = { id: writes.product().id, imageId: image.id };
  const position = () => writes.product().images.findIndex((each) => each.id === image.id) + 1;
  if (action === 'alt') {
    const refusal = altTextRefusal(alt);
    if (refusal) return showFormErrors(altForm, altProblem(refusal));
    const write: ImagesWrite = (ifMatch) =>
      answerOf(
        api.PATCH('/api/products/{id}/images/{imageId}', {
          params: { path, header: { 'If-Match': ifMatch } },
          body: { alt },
        }),
      );
    if (await writes.change(write, { imageId: image.id, action }))
      writes.announce(`Saved the alt text of image ${position()}.`);
    return;
  }
  if (action === 'remove') {
    if (!confirm(`Remove image ${position()} ("${image.alt}")? It leaves the storefront at once.`)) return;
    const write: ImagesWrite = (ifMatch) =>
      answerOf(
        api.DELETE('/api/products/{id}/images/{imageId}', { params: { path, header: { 'If-Match': ifMatch } } }),
      );
    const was = position();
    // The image's buttons go with it: focus falls back to the section's heading.
    if (await writes.change(write, { imageId: image.id, action })) writes.announce(`Removed image ${was}.`);
    return;
  }
  const offset = action === 'earlier' ? -1 : 1;
  // The order is worked out when the write runs, from the version the writes before it made.
  const write: ImagesWrite = (ifMatch) => {
    const ids = movedOrder(
      writes.product().images.map((each) => each.id),
      image.id,
      offset,
    );
    return answerOf(
      api.PUT('/api/products/{id}/images/order', {
        params: { path: { id: path.id }, header: { 'If-Match': ifMatch } },
        body: { ids },
      }),
    );
  };
  if (await writes.change(write, { imageId: image.id, action })) {
    writes.announce(`Moved the image ${action}: it is image ${position()} of ${writes.product().images.length} now.`);
  }
}

/** The upload form's progress bar and the message next to the file (an `aria-live` region). */
function uploadFeedback(fileInput: HTMLInputElement) {
  const progress = h('progress', { id: `${fileInput.id}-progress`, max: 100, value: 0 }, '0%');
  const progressLabel = h('label', { for: progress.id }, 'Upload');
  const progressRow = h('div', { class: 'upload-progress', hidden: true }, progressLabel, progress);
  const message = h('p', { id: `${fileInput.id}-message`, class: 'upload-message', 'aria-live': 'polite' });
  fileInput.setAttribute('aria-describedby', message.id);
  return {
    elements: [progressRow, message],
    start(name: string) {
      progressLabel.textContent = `Uploading ${name}`;
      this.progress(0);
      progressRow.hidden = false;
    },
    progress(percent: number) {
      progress.value = percent;
      progress.textContent = `${percent}%`;
    },
    say(text: string, kind: 'info' | 'error' | 'success' = 'info') {
      message.textContent = text;
      message.className = `upload-message ${kind}`;
      if (kind === 'error') fileInput.setAttribute('aria-invalid', 'true');
      else fileInput.removeAttribute('aria-invalid');
    },
  };
}

/** Asks for an upload and sends the file with its form, showing the bytes sent; the upload's id. */
async function uploadFile(
  api: StaffApi,
  productId: string,
  file: File,
  feedback: ReturnType<typeof uploadFeedback>,
): Promise<string> {
  feedback.start(file.name);
  const { data: upload } = await answerOf(
    api.POST('/api/products/{id}/images/uploads', {
      params: { path: { id: productId } },
      body: { contentType: declaredType(file), size: file.size },
    }),
  );
  await sendUploadForm(upload, file, (sent, total) => feedback.progress(Math.round((sent / total) * 100)));
  feedback.progress(100);
  return upload.uploadId;
}

interface UploadParts {
  form: HTMLFormElement;
  fileInput: HTMLInputElement;
  altInput: HTMLInputElement;
  submit: HTMLButtonElement;
  feedback: ReturnType<typeof uploadFeedback>;
}

/** An upload whose attach failed for a reason that leaves it attachable (412, network, 503). */
type Pending = { file: File; uploadId: string } | undefined;

/** Checks, uploads and attaches the chosen file; what the next try may attach without a new upload. */
async function addImage(api: StaffApi, writes: ImageWrites, parts: UploadParts, pending: Pending): Promise<Pending> {
  const { form, fileInput, altInput, feedback } = parts;
  clearFormErrors(form);
  const file = fileInput.files?.[0];
  const alt = altInput.value;
  const refusal = imageFileRefusal(file);
  const altRefusal = altTextRefusal(alt);
  feedback.say(refusal ?? '', refusal ? 'error' : 'info');
  if (altRefusal) showFormErrors(form, altProblem(altRefusal));
  else if (refusal) fileInput.focus();
  if (!file || refusal || altRefusal) return pending;
  let uploaded: Pending;
  try {
    const uploadId =
      pending?.file === file ? pending.uploadId : await uploadFile(api, writes.product().id, file, feedback);
    uploaded = { file, uploadId };
    feedback.say(`Uploaded ${file.name}; checking the image…`);
    const attach: ImagesWrite = (ifMatch) =>
      answerOf(
        api.POST('/api/products/{id}/images', {
          params: { path: { id: writes.product().id }, header: { 'If-Match': ifMatch } },
          body: { uploadId, alt },
        }),
      );
    if (!(await writes.change(attach))) {
      feedback.say(`${changedMeanwhile} The file is uploaded already.`, 'error');
      return uploaded;
    }
    form.reset();
    feedback.say(`Added ${file.name} as image ${writes.product().images.length}.`, 'success');
    return undefined;
  } catch (error) {
    const altFaults = error instanceof ApiProblem ? error.fieldErrors.filter((fault) => fault.field === 'alt') : [];
    if (altFaults.length > 0) showFormErrors(form, new ApiProblem(422, 'Alt text', '', altFaults));
    feedback.say(error instanceof Error ? error.message : 'The image could not be added.', 'error');
    return refusesFile(error) ? undefined : uploaded;
  }
}

/**
 * The form that adds an image: a file and its alt text, checked here first, then uploaded with a
 * progress bar and attached. Why a file is refused (here, or by the API once it read the bytes)
 * shows next to it. An upload whose attach failed for another reason is attached on the next try
 * of the same file, without sending it again.
 */
function uploadForm(api: StaffApi, writes: ImageWrites): { form: HTMLFormElement; update: () => void } {
  const fileInput = h('input', { type: 'file', name: 'file', accept: imageAccept });
  const altInput = h('input', { name: 'alt', autocomplete: 'off' });
  const submit = h('button', { type: 'submit' }, 'Upload image');
  const fileField = field('Image file', 'file', fileInput);
  const feedback = uploadFeedback(fileInput);
  fileField.append(...feedback.elements);
  const hint = h('p', { class: 'hint image-count' });
  const fields = h(
    'fieldset',
    { class: 'upload-fields' },
    h('legend', {}, 'Add an image'),
    hint,
    fileField,
    field('Alt text', 'alt', altInput, 'What the image shows, for people who cannot see it'),
    submit,
  );
  const form = h('form', { class: 'image-upload-form', novalidate: true }, formAlert(), fields);
  let pending: Pending;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    submit.disabled = true;
    try {
      pending = await addImage(api, writes, { form, fileInput, altInput, submit, feedback }, pending);
    } finally {
      submit.disabled = false;
    }
  });
  const update = () => {
    const count = writes.product().images.length;
    const full = count >= imageLimits.maxImages;
    fields.disabled = full;
    hint.textContent = full
      ? `This product has ${count} images, the most it may have: remove one to add another.`
      : `${count} of ${imageLimits.maxImages} images; each a ${imageTypeNames} file of at most ${megabytes(imageLimits.maxBytes)}.`;
  };
  return { form, update };
}

/** The product's images, first first, each with its thumbnail, alt text and buttons. */
function imageList(product: Product, act: Parameters<typeof imageItem>[3]): HTMLElement {
  const { images } = product;
  if (images.length === 0) return h('p', { class: 'empty-state' }, 'No images yet: the storefront shows none.');
  return h(
    'ol',
    { class: 'image-list', 'aria-label': `Images of ${product.name}` },
    ...images.map((image, index) => imageItem(image, index, images.length, act)),
  );
}

/** Focuses the control used on the image it acted on, or the nearest that is still there. */
function restoreFocus(section: HTMLElement, focus: FocusTarget | undefined): void {
  const item = focus && section.querySelector(`[data-image-id="${CSS.escape(focus.imageId)}"]`);
  const target =
    item?.querySelector<HTMLElement>(`[data-action="${focus?.action}"]:not(:disabled)`) ??
    item?.querySelector<HTMLElement>('.image-actions button:not(:disabled)') ??
    section.querySelector<HTMLElement>('h3');
  target?.focus();
}

/**
 * The Images section of a product a catalog admin edits: the images with their thumbnails, alt
 * text, order and removal, and a form adding one. Every write sends If-Match with the version
 * shown, one at a time, and the list then shows the version the API answered.
 */
export function imageAdmin(token: string, edited: EditedProduct): HTMLElement {
  const api = staffApi(token);
  let product = edited.product;
  let etag = edited.etag;
  let queue: Promise<unknown> = Promise.resolve();
  const listBody = h('div', {});
  const status = h('div', { class: 'image-status', role: 'status' });
  const say = (text: string, kind: 'success' | 'error') =>
    status.replaceChildren(h('p', { class: `notice ${kind}` }, text));
  const section = h('section', { class: 'image-admin', 'aria-labelledby': 'images-title' });

  const act = (action: Action, image: ProductImage, altForm: HTMLFormElement, alt: string) => {
    imageAction(api, writes, { action, image, altForm, alt }).catch((error: unknown) => {
      if (action === 'alt') showFormErrors(altForm, error);
      else say(error instanceof Error ? error.message : 'Something went wrong.', 'error');
    });
  };
  const show = (shown: Product, shownEtag: string | null, focus?: FocusTarget) => {
    product = shown;
    etag = shownEtag;
    listBody.replaceChildren(imageList(product, act));
    upload.update();
    if (focus) restoreFocus(section, focus);
  };
  const reload = async () => {
    const { data, etag: fresh } = await answerOf(
      publicApi.GET('/api/products/{id}', { params: { path: { id: product.id } } }),
    );
    show(data, fresh);
  };
  const writes: ImageWrites = {
    product: () => product,
    announce: (text) => say(text, 'success'),
    change(write, focus) {
      const run = queue.then(async () => {
        const sent = etag;
        try {
          const { data, etag: made } = await write(sent ?? undefined);
          // Only a version made from the one the product form holds leaves the form's fields current.
          if (edited.etag === sent) Object.assign(edited, { product: data, etag: made });
          show(data, made, focus);
          return true;
        } catch (error) {
          if (!(error instanceof ApiProblem) || (error.status !== 412 && error.status !== 404)) throw error;
          await reload();
          say(changedMeanwhile, 'error');
          return false;
        }
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
  const upload = uploadForm(api, writes);
  section.append(h('h3', { id: 'images-title', tabindex: '-1' }, 'Images'), upload.form, status, listBody);
  show(product, etag);
  return section;
}
