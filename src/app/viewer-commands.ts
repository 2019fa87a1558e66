// Lets keyboard shortcuts reach the viewer's imperative pan/zoom without prop drilling.
export const viewerCommands: { fit: () => void; oneToOne: () => void } = {
  fit: () => {},
  oneToOne: () => {},
};
