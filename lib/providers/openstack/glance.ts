/**
 * Glance (image API v2): images, read only. Paths are relative to `…/v2`; images are not wrapped
 * (`GET /v2/images/{id}` answers the image itself) and the list's next page is the top-level `next`.
 */
import { path, type Query, type ServiceHttp } from './http.js';
import { byId, fetchPage, paginate, type ListOptions, type Page, type PageQuery } from './pagination.js';

export type ImageStatus =
  'queued' | 'saving' | 'uploading' | 'importing' | 'active' | 'deactivated' | 'killed' | 'deleted' | 'pending_delete';
export type ImageVisibility = 'public' | 'private' | 'shared' | 'community';

export interface Image {
  id: string;
  name: string | null;
  status: ImageStatus;
  visibility: ImageVisibility;
  disk_format: string | null;
  container_format: string | null;
  /** GiB */
  min_disk: number;
  /** MiB */
  min_ram: number;
  /** Bytes; null until the data is uploaded. */
  size: number | null;
  checksum?: string | null;
  os_distro?: string;
  os_version?: string;
  protected?: boolean;
  tags: string[];
  owner?: string | null;
  created_at?: string;
  updated_at?: string;
}

export interface ImageQuery extends Query {
  name?: string;
  status?: ImageStatus;
  visibility?: ImageVisibility | 'all';
  owner?: string;
  tag?: string | readonly string[];
  sort?: string;
}

export class Glance {
  constructor(readonly http: ServiceHttp) {}

  listImages(query: ImageQuery = {}, opts?: ListOptions): AsyncGenerator<Image, void, undefined> {
    return paginate<Image>(this.http, '/images', query, { key: 'images', markerOf: byId }, opts);
  }

  listImagesPage(query: ImageQuery & PageQuery = {}): Promise<Page<Image>> {
    return fetchPage<Image>(this.http, '/images', query, { key: 'images', markerOf: byId });
  }

  async getImage(id: string): Promise<Image> {
    return (await this.http.get<Image>(path`/images/${id}`)).data;
  }
}
