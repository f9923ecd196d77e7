// The console benchmark's bulk and export journeys (issue 12): select all devices matching a
// filter and add them to a collection, and export the device list as CSV.
/** Placeholder until the bulk-selection and export mechanisms land: measures nothing. */
export async function measureBulkAndExport() {}
