/**
 * The GCP project when GCP_PROJECT is not set: what Application Default Credentials name, through
 * google-auth-library's GoogleAuth#getProjectId (GOOGLE_CLOUD_PROJECT, the credentials file's
 * project_id, gcloud's configuration, then the metadata server — GCE_METADATA_HOST points it elsewhere).
 * Loaded by the worker role only: the web role never loads Google's libraries (it needs GCP_PROJECT).
 */
import { googleAuthLibrary } from 'google-gax';

export async function detectProject(): Promise<string | null> {
  try {
    return (await new googleAuthLibrary.GoogleAuth().getProjectId()) || null;
  } catch {
    return null; // "Unable to detect a Project Id in the current environment"
  }
}
