export const en = {
  actions: {
    select: 'Select',
    selectAll: 'Select all',
    selectFile: 'Select a file from the list',
    selectFrom: 'Select from your library',
    insert: 'Insert into document',
    insertImage: 'Insert image into the post',
    update: 'Update',
    updateAvailable: 'Update available',
    updateSettings: 'Update your settings to set a new password',
    delete: 'Delete',
    deleteFrom: 'Delete from favorites',
    deleteFromCache: 'delete from cache when the asset is removed',
    create: 'Create table of contents',
    createTable: 'CREATE TABLE',
    drop: 'Drop table rows here',
    with: 'With love, as (always)',
    values: 'Values',
    truncate: 'Truncate long titles',
    show: 'Show more',
    set: 'Set as cover',
    begin: 'Begin',
    commit: 'Commit changes',
  },
  errors: {
    load: 'Could not load media from the server',
    select: 'SELECT FROM LIST',
    deleteFromCart: 'DELETE FROM CART',
    updateFailed: 'UPDATE FAILED, SET YOUR CONNECTION AND RETRY',
    insertFailed: 'Insert into album failed (file too large)',
    upload: 'Select an image to upload',
  },
  help: {
    sql: 'Tip: select * from the filter menu to show everything',
    shortcuts: 'Press Ctrl+A to select all, Delete to delete from the album',
    query: 'Query: select items where the name contains text',
  },
};

export const fr: typeof en = {
  ...en,
  actions: {
    ...en.actions,
    select: 'Sélectionner',
    selectAll: 'Tout sélectionner',
    selectFile: 'Sélectionnez un fichier dans la liste',
    update: 'Mettre à jour',
    updateAvailable: 'Mise à jour disponible',
    delete: 'Supprimer',
  },
};

type Dict = typeof en;

export function t(key: string, dict: Dict = en): string {
  const value = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], dict);
  return typeof value === 'string' ? value : key;
}
